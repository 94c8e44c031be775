from itertools import product

letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
for d1, d2, l1, l2 in product(range(10), range(10), letters, letters):
    if d1 + d2 != 10 or d1 <= d2:
        continue
    if letters.index(l1) + letters.index(l2) != 5 or l1 >= l2:
        continue
    print(f'<<<["{d1}", "{d2}", "{l1}", "{l2}"]>>>')
    break
