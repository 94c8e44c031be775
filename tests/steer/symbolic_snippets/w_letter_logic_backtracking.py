grid = [list(r) for r in ["a.c", ".c.", "c.."]]
letters = "abc"

def valid(r, c, ch):
    return ch not in grid[r] and all(grid[i][c] != ch for i in range(3))

def fill(pos=0):
    if pos == 9:
        return True
    r, c = divmod(pos, 3)
    if grid[r][c] != ".":
        return fill(pos + 1)
    for ch in letters:
        if valid(r, c, ch):
            grid[r][c] = ch
            if fill(pos + 1):
                return True
            grid[r][c] = "."
    return False

fill()
print("<<<" + "\n".join(",".join(row) for row in grid) + ">>>")
