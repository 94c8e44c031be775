# Calculate the number of girls who joined the chess club
total_girls_joined = 33 * 1000000 + 79 * 1000000
total_girls_joined_by_girls = total_girls_joined // 1000000
total_girls_joined_by_girls = round(total_girls_joined_by_girls * 1000000, 6)
print(f"The number of girls who joined the chess club is {total_girls_joined_by_girls}.")
