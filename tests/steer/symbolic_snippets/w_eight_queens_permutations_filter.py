import itertools

fixed = {0: 3}
for perm in itertools.permutations(range(8)):
    if any(perm[r] != c for r, c in fixed.items()):
        continue
    if len({perm[i] + i for i in range(8)}) == 8 and len({perm[i] - i for i in range(8)}) == 8:
        print(f"<<<{list(perm)}>>>")
        break
