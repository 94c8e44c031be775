from z3 import Ints, Solver

x, y = Ints("x y")
s = Solver()
s.add(x + y == 10, x - y == 4)
s.check()
m = s.model()
print(f"<<<{[m[x], m[y]]}>>>")
