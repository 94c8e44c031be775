import sympy as sp

x = sp.symbols('x')
expr = sp.expand((x + 2) * (x - 3))
print(f"<<<{expr}>>>")
