n = 3
grid = [[0] * n for _ in range(n)]
buttons = {"A": [(0, 0), (1, 1)], "B": [(1, 1), (2, 2), (0, 2)], "C": [(2, 0)]}
presses = ["A", "B", "A", "C"]
for b in presses:
    for r, c in buttons[b]:
        grid[r][c] ^= 1
print("<<<" + ",".join(str(v) for row in grid for v in row) + ">>>")
