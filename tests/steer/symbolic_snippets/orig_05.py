import z3
s = z3.Solver()
x = z3.Int('x')
s.add(x > 3, x < 5)
s.check()
print(s.model()[x])