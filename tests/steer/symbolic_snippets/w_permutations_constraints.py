from itertools import permutations

books = ["A", "B", "C", "D", "E"]
valid = []
for p in permutations(books):
    if p.index("A") > p.index("B"):
        continue
    if abs(p.index("C") - p.index("D")) == 1:
        continue
    if p[0] == "E":
        continue
    valid.append("".join(p))
print(f"<<<{len(valid)}>>>")
