print("<<<")
print("1,2,3\n3,1,2\n2,3,1")
print(">>>")
