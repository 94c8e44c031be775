def find_furniture_positions(answer):
    positions = [i for i in range(len(answer))]
    for position in positions:
        if position == 1:
            positions.append(f"<{answer}>>")
    return positions

answer = "furniture"
print(find_furniture_positions(answer))
