def find_sum_of_multiple_of_three(num1, num2):
    return num1 + num2

def find_sum_of_multiple_of_three(num1, num2):
    return find_sum_of_multiple_of_three(num1) + find_sum_of_multiple_of_three(num2)

def find_sum_of_multiple_of_three(num1, num2):
    return num1 + num2
