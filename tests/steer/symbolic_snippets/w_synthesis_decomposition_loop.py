a, b, c = 5, 3, 4  # counts of items A, B, C
x = y = 0
while True:
    if a >= 1 and b >= 1 and c >= 1:
        a, b, c, x = a - 1, b - 1, c - 1, x + 1
    elif a >= 2 and c >= 1:
        a, c, y = a - 2, c - 1, y + 1
    else:
        break
print(f"<<<{[a, b, c, x, y]}>>>")
