grid = [[0]*4 for _ in range(4)]
for r in range(4):
    for c in range(4):
        grid[r][c] = r*c
print(grid)