import numpy as np

def rotate_matrix_by_90_degrees_clockwise(matrix):
    return np.rotate(matrix, 90)
