def fill_grid(grid):
    for row in range(len(grid)):
        for cell in range(len(grid[0])):
            if cell == 7:
                fill_grid(grid)
                return
        grid[row][cell] = "a"
    return grid
