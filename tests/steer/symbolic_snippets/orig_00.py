from itertools import permutations
for p in permutations([1, 2, 3, 4]):
    if p[0] < p[1]:
        best = p
print(f'<<<{best}>>>')