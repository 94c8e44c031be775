from sympy import symbols, solve
x = symbols('x')
print(solve(x**2 - 4, x))