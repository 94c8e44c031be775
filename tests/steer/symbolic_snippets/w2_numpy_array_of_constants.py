import numpy as np

result = np.array([[7, 4, 1], [8, 5, 2], [9, 6, 3]])
print("<<<" + str(result.tolist()) + ">>>")
