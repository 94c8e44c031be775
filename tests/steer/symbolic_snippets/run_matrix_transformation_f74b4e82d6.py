def rotate_matrix_90_clockwise(matrix):
    return [list(c) for c in zip(*matrix)]

matrix = [[1, 6, 9], 6, 5, 9]
print(rotate_matrix_90_clockwise(matrix))
