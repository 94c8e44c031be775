import itertools
best = max(itertools.permutations([3, 1, 2]))
print(f'<<<{best}>>>')