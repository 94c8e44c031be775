nums = [3, 9, 4, 1]
total = 0
for n in nums:
    total += n
# the expression that makes 24:
print("<<<(9 - 3) * 4 * 1>>>")
