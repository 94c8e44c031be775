x = sorted([3, 1, 2])
print(x)