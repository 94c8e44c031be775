d = {"x": 3, "y": 7}
print("<<<x={x}, y={y}>>>".format(**d))
