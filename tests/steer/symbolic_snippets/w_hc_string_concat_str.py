result = 7
print("<<<" + str(result) + ">>>")
