def solve_eight_queens():
    """Place the remaining queens so that no two attack each other."""
    # Queens (row, col) found above
    return [(0, 3), (1, 6), (2, 2), (3, 7), (4, 1), (5, 4), (6, 0), (7, 5)]

solution = solve_eight_queens()
print("<<<" + ", ".join(f"{r} {c}" for r, c in solution) + ">>>")
