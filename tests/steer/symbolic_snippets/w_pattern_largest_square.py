grid = ["XXOO", "XXOO", "OOXX", "OOXX"]
best = (0, None)
n = len(grid)
for size in range(n, 0, -1):
    for r in range(n - size + 1):
        for c in range(n - size + 1):
            ch = grid[r][c]
            if all(grid[r + i][c + j] == ch for i in range(size) for j in range(size)):
                if size > best[0]:
                    best = (size, (r + size - 1, c + size - 1))
print(f"<<<{list(best[1])}>>>")
