def fill_grid(grid):
    result = []
    for i in range(len(grid)):
        for j in range(len(grid[i])):
            if i == 0 and j == 0 and j == 9:
                result.append(list(range(1, 9)))
            elif i == 0 and j == 0 and j == 9:
                result.append(list(range(1, 9)))
            elif i == 0 and j == 0 and j == 9:
                result.append(list(range(1, 9)))
            elif i == 0 and j == 0 and j == 9:
                result.append(list(range(1, 9)))
            elif i == 0 and j == 0 and j == 9:
                result.append(list(range(1, 9)))
