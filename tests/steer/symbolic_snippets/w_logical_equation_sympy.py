from sympy import symbols, Eq, solve

A, B, C = symbols('A B C', integer=True)
equations = [Eq(A + B, 15), Eq(A - C, 2), Eq(B + C, 11)]
solution = solve(equations, [A, B, C])
print(f"<<<[{solution[A]}, {solution[B]}, {solution[C]}]>>>")
