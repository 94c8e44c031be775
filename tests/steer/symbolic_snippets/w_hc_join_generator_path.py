waypoints = [(0.0, 0.0), (1.0, 0.5), (2.0, 2.0), (3.0, 3.5)]
print("<<<[" + ", ".join(f"({x}, {y})" for x, y in waypoints) + "]>>>")
