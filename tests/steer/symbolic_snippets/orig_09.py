def solve(board, i=0):
    if i == 81:
        return True
    return solve(board, i + 1)
print(solve([0]*81))