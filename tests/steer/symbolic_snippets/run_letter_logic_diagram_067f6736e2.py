def solve_grid(grid):
    """
    This function solves a 7x7 grid of letters {a..g} by real computation, search, and simulation.
    """
    result = []
    for i in range(len(grid)):
        for j in range(len(grid[i])):
            if i == 0 and j == 0 and j == 7:
                return [grid[i][j], grid[i][j]]
            elif grid[i][j] == "a":
                grid[i][j] = "b"
            elif grid[i][j] == "d":
                grid[i][j] = "c"
            elif grid[i][j] == "g":
                grid[i][j] = "e"
            elif grid[i][j] == "f":
                grid[i][j] = "g"
