steps = []
steps.append([(0, 92), (1, 64)])
steps.append([(2, 150)])
steps.append([(0, 39), (1, 77)])
print(f"<<<{steps}>>>")
