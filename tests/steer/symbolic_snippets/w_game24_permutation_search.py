from itertools import permutations, product

nums = [4, 7, 8, 8]
ops = ['+', '-', '*', '/']

def apply(a, b, op):
    if op == '+':
        return a + b
    if op == '-':
        return a - b
    if op == '*':
        return a * b
    if b == 0:
        return None
    return a / b

def solve(nums):
    for a, b, c, d in permutations(nums):
        for o1, o2, o3 in product(ops, repeat=3):
            # ((a o1 b) o2 c) o3 d
            x = apply(a, b, o1)
            if x is None:
                continue
            y = apply(x, c, o2)
            if y is None:
                continue
            z = apply(y, d, o3)
            if z is not None and abs(z - 24) < 1e-6:
                return f"(({a}{o1}{b}){o2}{c}){o3}{d}"
    return None

print(f"<<<{solve(nums)}>>>")
