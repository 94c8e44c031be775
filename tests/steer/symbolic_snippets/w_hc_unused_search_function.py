from itertools import permutations

def find_order(items):
    for p in permutations(items):
        if p[0] < p[-1]:
            return p
    return None

# The order satisfying every clue is:
final_order = ["robin", "owl", "hawk", "crow"]
print(f"<<<{final_order}>>>")
