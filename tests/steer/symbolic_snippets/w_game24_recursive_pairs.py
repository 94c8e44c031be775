from fractions import Fraction

def search(items):
    # items: list of (value, expression) pairs; combine any two until one is left
    if len(items) == 1:
        return items[0][1] if items[0][0] == 24 else None
    for i in range(len(items)):
        for j in range(len(items)):
            if i == j:
                continue
            (a, ea), (b, eb) = items[i], items[j]
            rest = [items[k] for k in range(len(items)) if k not in (i, j)]
            candidates = [(a + b, f"({ea}+{eb})"), (a - b, f"({ea}-{eb})"), (a * b, f"({ea}*{eb})")]
            if b != 0:
                candidates.append((a / b, f"({ea}/{eb})"))
            for value, expr in candidates:
                found = search(rest + [(value, expr)])
                if found:
                    return found
    return None

cards = [3, 3, 8, 8]
answer = search([(Fraction(c), str(c)) for c in cards])
print(f"<<<{answer}>>>")
