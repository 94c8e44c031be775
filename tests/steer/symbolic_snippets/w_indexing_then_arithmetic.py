prices = {"apple": 3, "pear": 5, "melon": 12}
basket = ["apple", "apple", "melon"]
total = prices[basket[0]] + prices[basket[1]] + prices[basket[2]]
print(f"<<<{total}>>>")
