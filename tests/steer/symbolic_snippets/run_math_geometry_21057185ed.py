def cube_volume(cube_size):
    cube_volume = 1.0
    for i in range(1, cube_size + 1):
        cube_volume *= i
    return cube_volume

def calculate_cube_volume():
    cube_size = 16
    answer = cube_volume(cube_size)
    print(f"The answer is: {answer}")

calculate_cube_volume()
