nums = [4, 7, 8, 8]
ops = '+-*/'
found = None
for a in ops:
    for b in ops:
        found = (a, b)
print(found)