from itertools import combinations

coins = [1, 2, 5, 10, 20]
count = sum(1 for k in range(1, 6) for combo in combinations(coins, k) if sum(combo) == 25)
print(f"<<<{count}>>>")
