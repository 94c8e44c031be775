def add_to_list(num1, num2):
    return [x + y for x, y in zip(num1, num2)]

def add_to_list_with_parentheses(num1, num2):
    return [str(x) + str(y) for x, y in zip(num1, num2)]

def add_to_list_with_parentheses_with_parentheses(num1, num2):
    return [str(x) + str(y) for x, y in zip(num1, num2)]

def add_to_list_with_parentheses_with_parentheses(num1, num2):
    return [str(x) + str(y) for x, y in zip(num1, num2)]
