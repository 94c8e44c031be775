from itertools import permutations

people = ["P", "Q", "R", "S"]
best = None
for seats in permutations(people):
    if seats.index("P") == 0:
        continue
    if abs(seats.index("Q") - seats.index("R")) != 1:
        continue
    best = seats
    break
print(f"<<<{list(best)}>>>")
