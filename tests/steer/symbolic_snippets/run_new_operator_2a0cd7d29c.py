def eval_expression(expression):
    return eval(expression)

def eval_expression(expression):
    return eval(expression)

def eval_expression_with_braces(expression):
    return eval(expression, [1, 2, 3])

def eval_expression_with_braces_with_underscore(expression):
    return eval(expression, [1, 2, 3])
