import itertools

numbers = [2, 3, 5, 7]
target = 31
for perm in itertools.permutations(numbers):
    for ops in itertools.product("+-*", repeat=3):
        expr = f"{perm[0]}{ops[0]}{perm[1]}{ops[1]}{perm[2]}{ops[2]}{perm[3]}"
        value = perm[0]
        for op, n in zip(ops, perm[1:]):
            value = value + n if op == "+" else value - n if op == "-" else value * n
        if value == target:
            print(f"<<<{expr}>>>")
            raise SystemExit
