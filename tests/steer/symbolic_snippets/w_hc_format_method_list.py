positions = [2, 5, 9]
print("<<<Count: {}, Positions: {}>>>".format(3, positions))
