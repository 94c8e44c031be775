def rotate_matrix(matrix):
    result = []
    for row in range(len(matrix)):
        for col in range(len(matrix[0])):
            result.append((matrix[row][col], matrix[row][col + 90]))
    return result

matrix = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
print(rotate_matrix(matrix))
