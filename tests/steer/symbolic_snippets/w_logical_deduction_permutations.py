import itertools

birds = ["owl", "crow", "cardinal", "robin", "hawk"]
for order in itertools.permutations(birds):
    pos = {b: i for i, b in enumerate(order)}
    if pos["crow"] != 4:
        continue
    if not pos["owl"] < pos["robin"]:
        continue
    if pos["hawk"] != pos["cardinal"] + 1:
        continue
    if pos["cardinal"] != 0:
        continue
    print(f"<<<{order[-1]}>>>")
    break
