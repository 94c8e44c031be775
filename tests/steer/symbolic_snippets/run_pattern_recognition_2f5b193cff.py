def find_largest_square_bottom_right_corner(matrix):
    max_square_bottom_right_corner = None
    for i in range(len(matrix)):
        if matrix[i][i] == 1:
            max_square_bottom_right_corner = i
        elif matrix[i][i] == 2:
            max_square_bottom_right_corner = i
        else:
            max_square_bottom_right_corner = i
    return max_square_bottom_right_corner

matrix = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
print(find_largest_square_bottom_right_corner(matrix))
