def compute_answer(n):
    if n == 0:
        return "No"
    elif n == 1:
        return "Yes"
    else:
        return "No"

def compute_answer_recursive(n):
    if n == 0:
        return "No"
    elif n == 1:
        return "Yes"
    else:
        return compute_answer_recursive(n - 1) + "Yes"

def compute_answer_simulation(n):
    if n == 0:
        return "No"
    elif n == 1:
        return "Yes"
    else:
        return compute_answer_simulation(n - 1) + "Yes"

def compute_answer_simulation_recursive(n):
    if n == 0:
        return "No"
    elif n == 1:
        return "Yes"
