board = [list(r) for r in ["....", ".01.", ".10.", "...."]]
row, col, me = 0, 1, "0"
board[row][col] = me
other = "1" if me == "0" else "0"
for dr in (-1, 0, 1):
    for dc in (-1, 0, 1):
        if dr == dc == 0:
            continue
        r, c = row + dr, col + dc
        seen = []
        while 0 <= r < 4 and 0 <= c < 4 and board[r][c] == other:
            seen.append((r, c))
            r, c = r + dr, c + dc
        if seen and 0 <= r < 4 and 0 <= c < 4 and board[r][c] == me:
            for fr, fc in seen:
                board[fr][fc] = me
print("<<<" + ",".join(ch for r in board for ch in r) + ">>>")
