from itertools import combinations as C
print(sum(1 for c in C(range(10), 3) if sum(c) % 2 == 0))