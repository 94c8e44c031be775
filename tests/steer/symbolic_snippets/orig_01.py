import itertools
sols = [c for c in itertools.product(range(3), repeat=3) if sum(c) == 4]
print(len(sols))