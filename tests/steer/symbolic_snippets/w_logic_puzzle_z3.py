from z3 import Int, Solver, Distinct, sat

names = ["Alice", "Bob", "Carol", "Dan"]
pos = {n: Int(n) for n in names}
s = Solver()
for n in names:
    s.add(pos[n] >= 1, pos[n] <= 4)
s.add(Distinct(*pos.values()))
s.add(pos["Alice"] < pos["Bob"])
s.add(pos["Carol"] == 4)
s.add(pos["Dan"] != 1)
if s.check() == sat:
    m = s.model()
    order = sorted(names, key=lambda n: m[pos[n]].as_long())
    print(f"<<<{order}>>>")
