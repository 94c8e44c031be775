a, b = 3, 4
print(f'<<<{a * b}>>>')