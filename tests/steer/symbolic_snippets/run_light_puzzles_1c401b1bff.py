def check_grid(n):
    return "Correct" if n == n * n else "Wrong: "

def check_grid_recursive(n):
    if n == n * n:
        return "Correct"
    if n > n * n:
        return "Wrong: "
    return check_grid_recursive(n + 1)

def check_grid_recursive_loop(n):
    if n == n * n:
        return "Correct"
    if n > n * n:
        return "Wrong: "
    return check_grid_recursive_loop(n + 1)

def check_grid_recursive_loop_loop(n):
    if n == n * n:
        return "Correct"
    if n > n * n:
        return "Wrong: "
    return check_grid_recursive_
