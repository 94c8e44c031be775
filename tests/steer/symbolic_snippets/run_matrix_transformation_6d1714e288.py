def rotate_matrix(matrix):
    return [list(row)[::-1] for row in zip(*matrix)]

# Example usage:
matrix = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
print(rotate_matrix(matrix))  # Output: [1, 2, 3, 4, 5, 6, 7, 8, 9]
